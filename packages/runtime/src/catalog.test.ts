import { describe, expect, expectTypeOf, it } from 'vitest';
import { assertDatabaseEngine, parseImageProfile, resolveImage, type ImageRequest } from './catalog.js';

describe('resolveImage', () => {
  it('maps every catalog entry to a local image and its build target', () => {
    expect(resolveImage('local', { role: 'php-fpm', version: '7.4' })).toEqual({
      image: 'berth/php-fpm:7.4',
      buildTarget: 'php-fpm-7.4',
    });
    expect(resolveImage('local', { role: 'webserver', kind: 'apache' }).image).toBe('berth/apache:2.4');
    expect(resolveImage('local', { role: 'app', kind: 'node', version: '18' }).image).toBe('berth/node:18');
    expect(resolveImage('local', { role: 'caddy' }).image).toBe('berth/caddy:2.11');
  });

  it('maps the same requests to upstream images for the official profile', () => {
    expect(resolveImage('official', { role: 'php-fpm', version: '8.2' }).image).toBe('php:8.2-fpm');
    expect(resolveImage('official', { role: 'webserver', kind: 'nginx' }).image).toBe('nginx:1.27');
    expect(resolveImage('official', { role: 'webserver', kind: 'apache' }).image).toBe('httpd:2.4');
    expect(resolveImage('official', { role: 'app', kind: 'python', version: '3.11' }).image).toBe('python:3.11');
    expect(resolveImage('official', { role: 'varnish' }).image).toBe('varnish:7');
  });

  it('refuses versions outside the catalog: PHP by its type (parsePhpVersion at the API), node and python when called', () => {
    expectTypeOf<'5.6'>().not.toExtend<Extract<ImageRequest, { role: 'php-fpm' }>['version']>();
    expect(() => resolveImage('local', { role: 'app', kind: 'node', version: '16' })).toThrow(/Invalid node version/);
  });
});

describe('database servers', () => {
  it('are Berth’s own images in both profiles, built by their docker/build.sh target', () => {
    for (const profile of ['local', 'official'] as const) {
      expect(resolveImage(profile, { role: 'database', engine: 'mariadb' })).toEqual({
        image: 'berth/mariadb:10.11',
        buildTarget: 'mariadb',
      });
      expect(resolveImage(profile, { role: 'database', engine: 'postgresql' })).toEqual({
        image: 'berth/postgresql:15',
        buildTarget: 'postgresql',
      });
    }
  });

  it('refuses engines outside the catalog, also when the type is bypassed', () => {
    expect(assertDatabaseEngine('postgresql')).toBe('postgresql');
    for (const engine of ['mysql', 'MariaDB', '../mariadb', '']) {
      expect(() => assertDatabaseEngine(engine)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
      expect(() => resolveImage('local', { role: 'database', engine } as unknown as ImageRequest)).toThrow(
        /Invalid database engine/,
      );
    }
  });
});

describe('parseImageProfile', () => {
  it('defaults to local and rejects unknown profiles', () => {
    expect(parseImageProfile(undefined)).toBe('local');
    expect(parseImageProfile('official')).toBe('official');
    expect(() => parseImageProfile('dockerhub')).toThrow(/BERTH_IMAGE_PROFILE/);
  });
});
