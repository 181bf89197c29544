/** One human line for a tool call: the command, the file, the pattern or the URL. */
export function toolSummary(name: string, input: Record<string, unknown>): string {
  const field = (key: string) => (typeof input[key] === "string" ? (input[key] as string) : undefined);
  const byTool: Record<string, string | undefined> = {
    Bash: field("command"),
    Read: field("file_path"),
    Write: field("file_path"),
    Edit: field("file_path"),
    MultiEdit: field("file_path"),
    NotebookEdit: field("notebook_path"),
    Grep: field("pattern"),
    Glob: field("pattern"),
    WebFetch: field("url"),
    WebSearch: field("query"),
    Task: field("description"),
    Agent: field("description"),
  };
  const text = byTool[name] ?? Object.values(input).find((v): v is string => typeof v === "string") ?? "";
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 199)}…` : oneLine;
}
