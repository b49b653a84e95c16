// Types of the lab's registry (lab/cases.mjs is plain JavaScript, run by Node without a build).

export interface LabEnv {
  describe: string;
  /** `true`: every Debian package is visible; a list: only those modules. */
  system?: true | string[];
  /** Requirements installed from the machine's pip over them. */
  wheels?: string[];
}

export interface StepExpectation {
  /** An exception type, or null: the step worked. */
  raised?: string | null;
  message?: string;
  frame?: string;
  seconds?: [number, number];
  value?: unknown;
  /** A substring of what a program the case ran printed. */
  output?: string;
  /** The rule that must recognise the failure as the library printed it. */
  diagnose?: string;
  /** What the report says besides the traceback. */
  says?: string;
}

export interface LabCase {
  id: string;
  claim: string;
  env: string;
  program: string;
  args: string[];
  envVars?: Record<string, string>;
  /** A database the case needs running: "postgres" or "mysql". */
  needs?: string;
  expect: Record<string, StepExpectation>;
  expectWarning?: string;
  expectNoWarning?: boolean;
}

export declare const ENVS: Record<string, LabEnv>;
export declare const CASES: LabCase[];
