import { describe, expect, it } from 'vitest';
import { remoteLabel } from './remote';

describe('remoteLabel', () => {
  it('says plainly when the engine is not on this computer', () => {
    expect(remoteLabel({ name: 'context: staging', host: 'tcp://staging:2376' }))
      .toBe('Remote engine tcp://staging:2376 (context staging)');
    expect(remoteLabel({ name: 'DOCKER_HOST', host: 'ssh://me@box' })).toBe('Remote engine ssh://me@box (DOCKER_HOST)');
  });

  it('is null for local sockets and pipes', () => {
    expect(remoteLabel({ name: 'context: default', host: 'unix:///var/run/docker.sock' })).toBeNull();
    expect(remoteLabel({ name: 'Docker Desktop', host: 'npipe:////./pipe/docker_engine' })).toBeNull();
  });
});
