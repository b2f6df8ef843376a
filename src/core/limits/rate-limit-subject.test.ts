import { describe, expect, it } from 'vitest';
import { rateLimitSubject } from './rate-limit-subject.js';

const subject = (ip: string) => rateLimitSubject(ip, 64);

describe('rateLimitSubject', () => {
  it('counts an IPv4 client by its address', () => {
    expect(subject('203.0.113.7')).toBe('203.0.113.7');
    expect(subject('203.0.113.8')).not.toBe(subject('203.0.113.7'));
  });

  it('counts every IPv6 address of one /64 as one client, however it is spelled', () => {
    expect(subject('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(subject('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(subject('2001:0DB8:0001:0002:0000:0000:0000:0abc')).toBe('2001:db8:1:2::/64');
  });

  it('tells neighbouring /64s apart', () => {
    expect(subject('2001:db8:1:3::1')).not.toBe(subject('2001:db8:1:2::1'));
  });

  it('counts by the prefix length it is given (128: each address on its own)', () => {
    expect(rateLimitSubject('2001:db8:1:2::1', 128)).toBe('2001:db8:1:2::1/128');
    expect(rateLimitSubject('2001:db8:1:2::2', 128)).not.toBe(rateLimitSubject('2001:db8:1:2::1', 128));
    expect(rateLimitSubject('2001:db8:1:2::1', 48)).toBe(rateLimitSubject('2001:db8:1:ffff::1', 48));
  });

  it('counts an IPv4 client carried inside IPv6 (mapped, NAT64, translated) as its IPv4 address', () => {
    expect(subject('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(subject('64:ff9b::203.0.113.7')).toBe('203.0.113.7');
    expect(subject('64:ff9b::cb00:7108')).toBe('203.0.113.8');
    expect(subject('::ffff:0:203.0.113.7')).toBe('203.0.113.7');
  });

  it('takes off a port that a proxy wrote into X-Forwarded-For', () => {
    expect(subject('203.0.113.7:5678')).toBe('203.0.113.7');
    expect(subject('[2001:db8:1:2::1]:5678')).toBe('2001:db8:1:2::/64');
  });

  it('passes through what is not an IP address, so it still counts as one client', () => {
    expect(subject('unknown')).toBe('unknown');
    expect(subject('[not-an-ip]:80')).toBe('[not-an-ip]:80');
  });
});
