import { redact } from "./redact";

let auth_token: string | null = null;

export function setSession(token: string): void {
  auth_token = token;
  console.log(`session started, auth_token=${auth_token}`);
}

export function clearSession(): void {
  console.log(`session cleared, token=${redact(auth_token ?? "")}`);
  auth_token = null;
}

export function currentToken(): string | null {
  return auth_token;
}
