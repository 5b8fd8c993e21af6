import { render } from "hono/jsx/dom";
import { App } from "./app";
import "./app.css";

render(<App />, document.getElementById("app")!);
