import { describe, expect, it } from 'vitest';
import { toRunSpec, validateEnv, validateName, validatePortSpec, validateRunForm, validateVolume, type RunForm } from './validate';

describe('validatePortSpec', () => {
  it.each(['80', '8080:80', ':80', '127.0.0.1:8080:80', '127.0.0.1::80', '8080:80/udp', '53:53/UDP', '[::1]:8080:80',
    '8000-8010:8000-8010', '9000:9000/sctp'])('accepts %s', (spec) => {
    expect(validatePortSpec(spec)).toBeNull();
  });

  it.each([
    ['70000:80', /70000.*range/],
    ['8080:0', /0 is out of range/],
    ['8080:80/icmp', /tcp, udp or sctp/],
    ['web:80', /not a number/],
    ['1.2.3.4:1:2:3', /too many colons/],
    ['abc:8080:80', /not an IP/],
    ['9000-8000:80', /reversed/],
    ['', /Empty/],
  ])('rejects %s', (spec, message) => {
    expect(validatePortSpec(spec)).toMatch(message);
  });
});

describe('validateEnv', () => {
  it('needs KEY=', () => {
    expect(validateEnv('A=1')).toBeNull();
    expect(validateEnv('EMPTY=')).toBeNull();
    expect(validateEnv('A=b=c')).toBeNull();
    expect(validateEnv('NOVALUE')).toMatch(/KEY=VALUE/);
    expect(validateEnv('=1')).toMatch(/no name/);
    expect(validateEnv('MY KEY=1')).toMatch(/whitespace/);
  });
});

describe('validateName and validateVolume', () => {
  it('checks the docker name charset', () => {
    expect(validateName('web-1.a_b')).toBeNull();
    expect(validateName('-web')).not.toBeNull();
    expect(validateName('my web')).not.toBeNull();
  });

  it('needs an absolute container path', () => {
    expect(validateVolume('/srv/data:/data:ro')).toBeNull();
    expect(validateVolume('pgdata:/var/lib/postgresql/data')).toBeNull();
    expect(validateVolume('data')).toMatch(/source/);
    expect(validateVolume('data:relative')).toMatch(/absolute/);
  });
});

const blank: RunForm = { image: 'nginx', name: '', command: '', env: '', ports: '', volumes: '', network: '', restart: 'no', autoRemove: false };

describe('validateRunForm', () => {
  it('accepts a minimal form', () => {
    expect(validateRunForm(blank)).toEqual({});
  });

  it('reports the first bad line per field with its line number', () => {
    const errors = validateRunForm({ ...blank, image: '', ports: '8080:80\n99999:80', env: 'OK=1\nBAD', name: 'no spaces' });
    expect(errors.image).toMatch(/Choose an image/);
    expect(errors.ports).toMatch(/^Line 2: .*99999/);
    expect(errors.env).toMatch(/^Line 2: /);
    expect(errors.name).toBeDefined();
  });

  it('builds a RunSpec with nulls for empty optional fields', () => {
    expect(toRunSpec({ ...blank, ports: ' 8080:80 \n\n', env: 'A=1' })).toEqual({
      image: 'nginx', name: null, command: null, env: ['A=1'], ports: ['8080:80'], volumes: [], network: null,
      restart: 'no', autoRemove: false,
    });
  });
});
