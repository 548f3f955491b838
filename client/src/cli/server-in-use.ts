/** The server the running command talks to, for failure messages ("run `coffer login URL`"). */
let server: string | undefined;

export function serverInUse(): string | undefined {
  return server;
}

export function useServer(url: string): void {
  server = url;
}
