/** Structured JSON logs (pino) to stderr, so stdout stays free for command output. */
import { pino, destination, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'ferry-cp' } }, destination(2));
}
