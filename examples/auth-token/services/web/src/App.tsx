import { parseRoute } from "./router";
import { fetchOrders, fetchProfile } from "./api";

export function App({ path }: { path: string }) {
  const route = parseRoute(path);
  if (route === "orders") {
    void fetchOrders();
  } else if (route === "profile") {
    void fetchProfile();
  }
  return <main data-route={route}>Shop</main>;
}
