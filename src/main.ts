import { runMain } from "citty";
import { main } from "./cmd";

await runMain(main);
