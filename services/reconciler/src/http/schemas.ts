/**
 * What the API and the dashboard accept, as strict zod schemas: an unknown
 * field is an error that names it, not something silently ignored.
 */
import { z } from "zod";
import { DELIVERY_STATES, type MatrixQuery, type ProblemState } from "../model";

const PROBLEM_STATES: readonly ProblemState[] = ["open", "acknowledged", "resolved"];

/** The longest operator note, as the actions store it. */
export const MAX_NOTE = 2000;

function integer(field: string, min: number, max: number) {
  const error = `${field} must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function channelName(field: string) {
  const error = `${field} must be a channel name of 1 to 100 characters`;
  return z.string({ error }).min(1, { error }).max(100, { error });
}

/** The problem states of `?state=open,acknowledged`, comma-separated. */
const problemStates = z
  .string({ error: `state must be a comma-separated list of ${PROBLEM_STATES.join(", ")}` })
  .transform((value, ctx): ProblemState[] => {
    const states = value.split(",").map((s) => s.trim());
    const bad = states.find((s) => !(PROBLEM_STATES as readonly string[]).includes(s));
    if (bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `state must be a comma-separated list of ${PROBLEM_STATES.join(", ")}; got ${JSON.stringify(bad)}`,
      });
      return z.NEVER;
    }
    return [...new Set(states as ProblemState[])];
  });

export const matrixQuerySchema = z.strictObject({
  page: integer("page", 1, 1_000_000).default(1),
  pageSize: integer("pageSize", 1, 500).default(50),
  state: z
    .enum(DELIVERY_STATES, { error: `state must be one of ${DELIVERY_STATES.join(", ")}` })
    .optional(),
  channel: channelName("channel").optional(),
  search: z
    .string({ error: "search must be text" })
    .max(200, { error: "search is too long" })
    .optional(),
});

/** A parsed matrix query as the queries take it: absent filters left out, not undefined. */
export function matrixQuery(parsed: z.output<typeof matrixQuerySchema>): MatrixQuery {
  return {
    page: parsed.page,
    pageSize: parsed.pageSize,
    ...(parsed.state ? { state: parsed.state } : {}),
    ...(parsed.channel ? { channel: parsed.channel } : {}),
    ...(parsed.search ? { search: parsed.search } : {}),
  };
}

export const findingsQuerySchema = z.strictObject({
  channel: channelName("channel").optional(),
  declined: z.enum(["true", "false"], { error: "declined must be true or false" }).optional(),
});

/**
 * `?refresh=on`: the overview, matrix and problems pages reload themselves only
 * when an operator asks, because a page that reloads on its own moves a screen
 * reader and the keyboard focus back to the top (WCAG 2.2.1, 2.2.2).
 */
export const refreshQuerySchema = z.strictObject({
  refresh: z.enum(["on", "off"], { error: "refresh must be on or off" }).default("off"),
});

export const problemsQuerySchema = z.strictObject({
  state: problemStates.optional(),
  channel: channelName("channel").optional(),
});

const optionalNote = z
  .string({ error: "note must be text" })
  .trim()
  .max(MAX_NOTE, { error: `note must be at most ${MAX_NOTE} characters` })
  .transform((note) => note || undefined)
  .optional();

const requiredNoteError = `note is required: say how the problem was resolved (1 to ${MAX_NOTE} characters)`;

/** Body of acknowledge and redeliver. */
export const optionalNoteSchema = z.strictObject({ note: optionalNote });

/** Body of resolve: closing a problem needs a word on how. */
export const requiredNoteSchema = z.strictObject({
  note: z
    .string({ error: requiredNoteError })
    .trim()
    .min(1, { error: requiredNoteError })
    .max(MAX_NOTE, { error: requiredNoteError }),
});

export const auditBodySchema = z.strictObject({
  channels: z
    .array(channelName("channels"), { error: "channels must be a list of channel names" })
    .max(100, { error: "channels lists at most 100 channels" })
    .optional(),
});

/** Fields every dashboard form may carry besides its own. */
const formFields = {
  _csrf: z.string().max(200).optional(),
  back: z.string().max(2000).optional(),
};

export const optionalNoteForm = optionalNoteSchema.extend(formFields);
export const requiredNoteForm = requiredNoteSchema.extend(formFields);
export const auditForm = z.strictObject({
  ...formFields,
  // A form sends one checkbox as a string and several as a list.
  channels: z.preprocess((v) => (typeof v === "string" ? [v] : v), auditBodySchema.shape.channels),
});

/**
 * A page's query string as its schema expects it: only the keys the page
 * knows (links may add others, such as `done`), and no empty values, which a
 * GET form sends for every field left blank.
 */
export function pageQuery(
  query: Record<string, unknown>,
  keys: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = query[key];
    if (value !== undefined && value !== "") out[key] = value;
  }
  return out;
}
