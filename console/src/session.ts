// The admin token lives in sessionStorage only: gone when the tab closes, never sent as a cookie
// (so the console has no CSRF surface) and never written to localStorage.
const KEY = "nafsi.console.adminToken";

export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  save: (token: string) => sessionStorage.setItem(KEY, token),
  forget: () => sessionStorage.removeItem(KEY),
};
