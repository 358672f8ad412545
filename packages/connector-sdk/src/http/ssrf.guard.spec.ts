import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../connector.errors.js';
import { assertPublicUrl, isNonPublicAddress } from './ssrf.guard.js';

async function blockedCode(url: string, options = {}): Promise<string | undefined> {
  try {
    await assertPublicUrl(url, options);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return (error as ConnectorError).code;
  }
}

describe('isNonPublicAddress', () => {
  it.each([
    '10.1.2.3',
    '127.0.0.1',
    '127.255.0.9',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('accepts %s', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
});

describe('assertPublicUrl', () => {
  it('blocks private, loopback, link-local and metadata IP literals', async () => {
    expect(await blockedCode('http://10.0.0.5/x')).toBe('SSRF_BLOCKED');
    expect(await blockedCode('http://127.0.0.1:8080/')).toBe('SSRF_BLOCKED');
    expect(await blockedCode('http://169.254.169.254/latest/meta-data/')).toBe('SSRF_BLOCKED');
    expect(await blockedCode('http://[::1]:3000/')).toBe('SSRF_BLOCKED');
    expect(await blockedCode('http://[::ffff:10.0.0.1]/')).toBe('SSRF_BLOCKED');
  });

  it('blocks a DNS name that resolves to loopback', async () => {
    expect(await blockedCode('http://localhost:4010/')).toBe('SSRF_BLOCKED');
    expect(await blockedCode('https://rebind.example/', { resolve: async () => ['93.184.216.34', '127.0.0.1'] })).toBe(
      'SSRF_BLOCKED',
    );
  });

  it('accepts public addresses', async () => {
    const result = await assertPublicUrl('https://api.example.com/v1', { resolve: async () => ['93.184.216.34'] });
    expect(result.addresses).toEqual(['93.184.216.34']);
    expect(await blockedCode('http://8.8.8.8/')).toBeUndefined();
  });

  it('refuses other schemes and credentials in the URL', async () => {
    expect(await blockedCode('file:///etc/passwd')).toBe('SSRF_BLOCKED');
    expect(await blockedCode('gopher://example.com/')).toBe('SSRF_BLOCKED');
    expect(await blockedCode('http://user:pw@example.com/')).toBe('INVALID_INPUT');
    expect(await blockedCode('not a url')).toBe('INVALID_INPUT');
  });

  it('honours the allow-list and allowPrivate', async () => {
    expect(await blockedCode('http://127.0.0.1:4010/bin/x', { allowHosts: ['127.0.0.1'] })).toBeUndefined();
    expect(await blockedCode('http://localhost:4010/', { allowHosts: ['LOCALHOST'] })).toBeUndefined();
    expect(await blockedCode('http://10.0.0.1/', { allowHosts: ['127.0.0.1'] })).toBe('SSRF_BLOCKED');
    expect(await blockedCode('http://10.0.0.1/', { allowPrivate: true })).toBeUndefined();
    expect(await blockedCode('ftp://10.0.0.1/', { allowPrivate: true })).toBe('SSRF_BLOCKED');
  });
});
