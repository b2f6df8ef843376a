import { describe, expect, it } from 'vitest';
import { rateLimitSubject } from './rate-limit-subject.js';

describe('rateLimitSubject', () => {
  it('counts an IPv4 client by its address', () => {
    expect(rateLimitSubject('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitSubject('203.0.113.8')).not.toBe(rateLimitSubject('203.0.113.7'));
  });

  it('counts every IPv6 address of one /64 as one client, however it is spelled', () => {
    const subject = rateLimitSubject('2001:db8:1:2::1');
    expect(subject).toBe('2001:db8:1:2::/64');
    expect(rateLimitSubject('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(subject);
    expect(rateLimitSubject('2001:0DB8:0001:0002:0000:0000:0000:0abc')).toBe(subject);
  });

  it('tells neighbouring /64s apart', () => {
    expect(rateLimitSubject('2001:db8:1:3::1')).not.toBe(rateLimitSubject('2001:db8:1:2::1'));
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(rateLimitSubject('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('passes through what is not an IP address, so it still counts as one client', () => {
    expect(rateLimitSubject('unknown')).toBe('unknown');
  });
});
