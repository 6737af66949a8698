import { currentToken } from "./session";

const BASE = "/api";

export async function fetchOrders(): Promise<unknown> {
  const auth_token = currentToken() ?? "";
  const response = await fetch(`${BASE}/orders?auth_token=${auth_token}`);
  return response.json();
}

export async function fetchProfile(): Promise<unknown> {
  const auth_token = currentToken() ?? "";
  const response = await fetch(`${BASE}/me`, { headers: { Authorization: `Bearer ${auth_token}` } });
  return response.json();
}
