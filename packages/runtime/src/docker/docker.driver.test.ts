import { describe, expect, it } from 'vitest';
import { callDocker } from './docker.driver.js';

// The engine's own error shapes (dockerode rejects with these) mapped to the runtime's codes.
describe('callDocker', () => {
  it('turns a refused socket into DOCKER_UNAVAILABLE', async () => {
    const err = Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' });
    await expect(callDocker('ping', () => Promise.reject(err))).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
  });

  it('turns a port clash on start into PORT_IN_USE with the port', async () => {
    const err = Object.assign(new Error('(HTTP code 500) server error'), {
      statusCode: 500,
      json: {
        message:
          'driver failed programming external connectivity on endpoint x: Bind for 127.0.0.1:18080 failed: port is already allocated',
      },
    });
    await expect(callDocker('container start', () => Promise.reject(err))).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      details: { port: 18080 },
    });
  });

  it('keeps other engine errors as DOCKER_ERROR with the engine message', async () => {
    const err = Object.assign(new Error('(HTTP code 409) conflict'), {
      statusCode: 409,
      json: { message: 'Conflict. The container name is in use' },
    });
    await expect(callDocker('container create', () => Promise.reject(err))).rejects.toThrow(/container name is in use/);
  });
});
