/**
 * The <script>-tag build (dist/nafsi.global.js, served at GET /sdk/nafsi.js): defines window.Nafsi
 * with Nafsi.init, and NafsiError on it for `instanceof` checks. Data plane only: the admin client
 * and webhook verification need secrets, which have no place in a page.
 */
import { NafsiError } from "./errors.js";
import { Nafsi } from "./nafsi.js";

(globalThis as unknown as { Nafsi: unknown }).Nafsi = Object.assign(Nafsi, { NafsiError });
