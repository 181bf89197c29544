import type { ListRequest, ListResult } from "../proto";
import { findFolders, listFolders } from "./folders";
import type { MachineLimits } from "./limits";
import { listTranscripts } from "./transcripts";

export type ListDeps = { limits: MachineLimits; /** Where claude keeps its transcripts (see claudeProjectsDir). */ projectsDir: string };

type Answer = Omit<ListResult, "v" | "type" | "requestId">;

/** The machine's answer to a list request from the relay; a refusal is an `error`, never a throw. */
export async function answerList(request: ListRequest, deps: ListDeps): Promise<Omit<ListResult, "v">> {
  let answer: Answer;
  try {
    answer = await make(request, deps);
  } catch (err) {
    answer = { error: `the machine could not make the list: ${(err as Error).message}`.slice(0, 2000) };
  }
  return { type: "list.result", requestId: request.requestId, ...answer };
}

async function make(request: ListRequest, { limits, projectsDir }: ListDeps): Promise<Answer> {
  switch (request.kind) {
    case "transcripts": {
      const { items, skipped } = await listTranscripts({ projectsDir, roots: limits.roots, ...(request.query ? { only: request.query } : {}) });
      return { transcripts: items, skipped: skipped.map((s) => ({ id: s.id, reason: s.reason.slice(0, 500) })) };
    }
    case "folders": {
      const page = await listFolders(limits, { ...(request.path ? { path: request.path } : {}), ...(request.offset !== undefined ? { offset: request.offset } : {}), ...(request.limit ? { limit: request.limit } : {}) });
      if ("error" in page) return { error: page.error };
      return { folders: { path: page.path, ...(page.up !== undefined ? { up: page.up } : {}), items: page.folders, total: page.total, offset: page.offset } };
    }
    case "find": {
      if (!request.query) return { error: "which folder? Send /cd NAME" };
      const found = await findFolders(limits, request.query);
      if ("error" in found) return { error: found.error };
      return { found: { paths: found.matches, truncated: found.truncated } };
    }
  }
}
