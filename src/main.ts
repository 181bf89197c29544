import { runMain } from "citty";
import { main } from "./cmd";
import { normalJitWhenBusy } from "./jit-policy";

normalJitWhenBusy();
await runMain(main);
