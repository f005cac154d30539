import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeEpsv, encodePasv, parseEprt, parseEpsvArg, parsePort } from '../../src/ftp/protocol/dataAddress.js';
import { unmapIPv4 } from '../../src/net/hosts.js';

describe('PASV and EPSV encoding', () => {
  it('encodes an IPv4 address and port as six numbers', () => {
    assert.equal(encodePasv('127.0.0.1', 50_000), '127,0,0,1,195,80');
  });

  it('unmaps IPv4-mapped IPv6 addresses', () => {
    assert.equal(encodePasv('::ffff:10.1.2.3', 21), '10,1,2,3,0,21');
    assert.equal(unmapIPv4('::ffff:10.1.2.3'), '10.1.2.3');
  });

  it('refuses to encode an IPv6 address into PASV', () => {
    assert.equal(encodePasv('::1', 2000), null);
  });

  it('encodes EPSV with empty address fields', () => {
    assert.equal(encodeEpsv(6446), '|||6446|');
  });

  it('reads EPSV arguments', () => {
    assert.equal(parseEpsvArg(''), 'any');
    assert.equal(parseEpsvArg('all'), 'all');
    assert.equal(parseEpsvArg('2'), 2);
    assert.equal(parseEpsvArg('3'), null);
  });
});

describe('PORT and EPRT parsing', () => {
  it('parses PORT', () => {
    assert.deepEqual(parsePort('127,0,0,1,195,80'), { host: '127.0.0.1', port: 50_000 });
  });

  it('rejects malformed PORT arguments', () => {
    for (const bad of ['127,0,0,1,195', '256,0,0,1,1,1', '1,2,3,4,5,x', '1,2,3,4,0,0', '']) assert.equal(parsePort(bad), null, bad);
  });

  it('parses EPRT for both families and any delimiter', () => {
    assert.deepEqual(parseEprt('|1|132.235.1.2|6275|'), { host: '132.235.1.2', port: 6275 });
    assert.deepEqual(parseEprt('|2|::1|5282|'), { host: '::1', port: 5282 });
    assert.deepEqual(parseEprt('!1!10.0.0.1!2000!'), { host: '10.0.0.1', port: 2000 });
  });

  it('rejects EPRT with a wrong family, port or shape', () => {
    for (const bad of ['|1|::1|5282|', '|2|1.2.3.4|5|', '|1|1.2.3.4|70000|', '|1|1.2.3.4|', '1|1.2.3.4|5|', '|3|1.2.3.4|5|']) {
      assert.equal(parseEprt(bad), null, bad);
    }
  });
});
