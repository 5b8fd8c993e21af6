// vitest globalSetup of the e2e project: one Worker for every e2e file of the run. Test files read
// its address with `inject("gateway")` (see shared.ts).
import type { TestProject } from "vitest/node";
import { startGateway } from "./gateway";

export interface SharedGateway {
  baseUrl: string;
  adminToken: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    gateway: SharedGateway;
  }
}

export default async function setup(project: TestProject) {
  const gateway = await startGateway();
  project.provide("gateway", { baseUrl: gateway.baseUrl, adminToken: gateway.adminToken });
  return () => gateway.stop();
}
