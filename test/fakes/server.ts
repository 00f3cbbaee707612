import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { googleFake } from "./google";
import { createNeonFake } from "./neon";
import { resendFake } from "./resend";
import { s3Fake } from "./s3";
import { visionFake } from "./vision";

export interface FakeServices {
  stop(): Promise<void>;
}

export type FakeHandler = (
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
) => Promise<boolean> | boolean;

/**
 * Starts one loopback HTTP server that answers as the third-party services the Worker calls.
 * Each fake claims the paths under its own prefix (`/resend/`, `/google/`, `/neon/`, `/s3/`,
 * `/vision/`, `/google-oauth/`).
 */
export async function startFakes(options: {
  port: number;
  databaseUrl: string;
}): Promise<FakeServices> {
  const handlers: FakeHandler[] = [
    createNeonFake(options.databaseUrl),
    resendFake(),
    googleFake(),
    s3Fake(),
    visionFake(),
  ];

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    try {
      for (const handler of handlers) {
        if (await handler(request, body, response)) return;
      }
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: `no fake serves ${request.method} ${request.url}` }));
    } catch (error) {
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: String(error) }));
    }
  });

  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  return {
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
