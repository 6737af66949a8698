// Keeps secrets out of logs: shows only the length and the last two characters.
export function redact(secret: string): string {
  if (!secret) {
    return "<empty>";
  }
  return `<redacted:${secret.length}:..${secret.slice(-2)}>`;
}
