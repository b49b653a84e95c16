/** What the playground's input is: kept in the permalink, set by the examples. */
export interface PlaygroundState {
  tab: "issue" | "code";
  title?: string;
  body?: string;
  repo?: string;
  path?: string;
  source?: string;
  requirements?: string;
  pyproject?: string;
}
