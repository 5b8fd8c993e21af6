/** The gateway's credential minting and checks, under the test run's CREDENTIAL_TAG_KEY. */
import { env } from "cloudflare:workers";
import { type Environment, credentialsOf } from "../../src/domain/credentials";

const tags = () => credentialsOf(env);

export const newClientId = async (environment: Environment) => (await tags()).newClientId(environment);
export const newClientSecret = async (environment: Environment) => (await tags()).newClientSecret(environment);
export const newWorkflowId = async () => (await tags()).newWorkflowId();
export const clientIdEnvironment = async (value: string) => (await tags()).clientIdEnvironment(value);
export const secretEnvironment = async (value: string) => (await tags()).secretEnvironment(value);
export const isWorkflowId = async (value: string) => (await tags()).isWorkflowId(value);
