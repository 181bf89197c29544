import { runMain } from "citty";
import { main } from "./cmd";
import { commandOf, normalJitWhenBusy } from "./jit-policy";

normalJitWhenBusy(undefined, commandOf(process.argv.slice(2)));
await runMain(main);
