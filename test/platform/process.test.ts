import { request as httpRequest, Agent } from 'node:http';
import { spawnBroker } from '../support/broker-process';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

function get(url: string, agent?: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the broker process', () => {
  it('serves, then stops on SIGTERM with exit code 0 despite an idle keep-alive client', async () => {
    const broker = await spawnBroker({ NODE_ENV: 'test', DATABASE_URL: database.url }).started;
    const agent = new Agent({ keepAlive: true });
    expect(await get(`${broker.url}/readyz`, agent)).toBe(200);

    broker.child.kill('SIGTERM');
    expect(await broker.exited).toBe(0);
    expect(broker.output()).toContain('stopped');
    await expect(get(`${broker.url}/healthz`)).rejects.toThrow();
    agent.destroy();
  });

  it('stops on SIGINT with exit code 0', async () => {
    const broker = await spawnBroker({ NODE_ENV: 'test', DATABASE_URL: database.url }).started;
    broker.child.kill('SIGINT');
    expect(await broker.exited).toBe(0);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ NODE_ENV: 'production' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@db/y' }, 'AUDIT_SIGNING_KEY'],
  ])('refuses to start with %j, naming %s, exit code 1', async (env, named) => {
    const run = spawnBroker(env as Record<string, string>);
    await expect(run.started).rejects.toThrow();
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(named);
  });
});
