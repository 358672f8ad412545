import { defineTrigger, type ConfigProblem } from '@braid/connector-sdk';
import cronParser from 'cron-parser';

export interface ScheduleTriggerConfig {
  /** Five-field cron (minute hour day-of-month month day-of-week) or @hourly/@daily/@weekly/@monthly/@yearly. */
  cron: string;
  /** IANA time zone the cron is read in. */
  timezone: string;
}

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly']);

export function isValidTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Problems with a cron expression: the runtime schedules with minute precision (pg-boss), so exactly five
 * fields (no seconds) or a macro. Parsed with cron-parser, the parser pg-boss uses.
 */
export function validateCron(cron: string, timezone = 'UTC'): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const trimmed = cron.trim();
  if (!isValidTimeZone(timezone)) problems.push({ pointer: '/timezone', message: `"${timezone}" is not an IANA time zone` });
  if (!MACROS.has(trimmed.toLowerCase())) {
    const fields = trimmed.split(/\s+/).filter(Boolean);
    if (fields.length !== 5) {
      problems.push({
        pointer: '/cron',
        message: `must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
      });
      return problems;
    }
  }
  try {
    cronParser.parseExpression(trimmed, { tz: isValidTimeZone(timezone) ? timezone : 'UTC' });
  } catch (error) {
    problems.push({ pointer: '/cron', message: `is not a valid cron expression: ${(error as Error).message}` });
  }
  return problems;
}

/** The next `count` fire times after `from` (editor preview, runtime sanity checks). */
export function nextScheduleTimes(config: ScheduleTriggerConfig, from: Date, count = 5): string[] {
  const expression = cronParser.parseExpression(config.cron.trim(), { tz: config.timezone, currentDate: from });
  const times: string[] = [];
  for (let i = 0; i < count; i += 1) times.push(expression.next().toDate().toISOString());
  return times;
}

export const scheduleTrigger = defineTrigger<ScheduleTriggerConfig>({
  key: 'schedule',
  kind: 'schedule',
  title: 'On a schedule',
  description: 'Run the flow on a cron schedule in a time zone (minute precision).',
  configSchema: {
    type: 'object',
    properties: {
      cron: {
        type: 'string',
        title: 'Cron expression',
        description: 'minute hour day-of-month month day-of-week, e.g. "0 6 * * 1-5" (06:00 on weekdays).',
        minLength: 1,
        maxLength: 200,
        examples: ['*/15 * * * *', '0 6 * * 1-5', '@daily'],
      },
      timezone: { type: 'string', title: 'Time zone', default: 'UTC', examples: ['Europe/Berlin', 'Asia/Kolkata'] },
    },
    required: ['cron'],
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: { scheduledAt: { type: 'string', format: 'date-time' }, timezone: { type: 'string' } },
    required: ['scheduledAt', 'timezone'],
  },
  sampleOutput: { scheduledAt: '2026-01-05T06:00:00.000Z', timezone: 'UTC' },
  requiresConnection: false,
  validateConfig: (config) => validateCron(config.cron, config.timezone),
});
