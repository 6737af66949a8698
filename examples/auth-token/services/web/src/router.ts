export type Route = "home" | "orders" | "profile";

export function parseRoute(path: string): Route {
  if (path.startsWith("/orders")) {
    return "orders";
  }
  if (path.startsWith("/me")) {
    return "profile";
  }
  return "home";
}
