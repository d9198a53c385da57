import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decideVerdict,
  defaultInboundPolicy,
  inboundPolicyFromConfig,
  type AuthSummary,
  type InboundPolicy,
} from '../../src/auth/inbound-policy.ts';
import { configFromDefaults } from '../../src/config/load.ts';

const base: AuthSummary = {
  spf: 'pass',
  dkim: [{ result: 'pass', domain: 'crepes.fr' }],
  dmarc: { result: 'pass', policy: 'reject', domain: 'crepes.fr' },
  arc: { result: 'none' },
};

function decide(change: Partial<AuthSummary>, policy: Partial<InboundPolicy> = {}) {
  return decideVerdict({ ...base, ...change }, { ...defaultInboundPolicy, ...policy });
}

const failing = (policy: string) => ({ result: 'fail', policy, domain: 'bank.example' });

describe('inbound policy', () => {
  test('DMARC pass → accept, whatever SPF says', () => {
    assert.deepEqual(decide({ spf: 'fail' }), { verdict: 'accept' });
  });

  test('DMARC fail, p=reject → 550 5.7.1; p=quarantine → junk; p=none → accept', () => {
    assert.deepEqual(decide({ dmarc: failing('reject'), spf: 'softfail', dkim: [] }), {
      verdict: 'reject',
      reason: 'DMARC policy of bank.example (p=reject) not met',
      reply: {
        code: 550,
        enhanced: '5.7.1',
        text: 'Message rejected: DMARC policy of bank.example (p=reject) not met',
      },
    });
    assert.equal(decide({ dmarc: failing('quarantine') }).verdict, 'junk');
    assert.equal(decide({ dmarc: failing('none') }).verdict, 'accept');
  });

  test('the actions are configurable', () => {
    assert.equal(decide({ dmarc: failing('reject') }, { dmarcReject: 'junk' }).verdict, 'junk');
    assert.equal(decide({ dmarc: failing('quarantine') }, { dmarcQuarantine: 'reject' }).reply?.code, 550);
    assert.equal(decide({ dmarc: failing('quarantine') }, { dmarcQuarantine: 'accept' }).verdict, 'accept');
  });

  test('DNS trouble is never permanent: DMARC temperror, or a failure with SPF/DKIM temperror → 451', () => {
    const tempfail = {
      verdict: 'tempfail',
      reason: 'DNS failure while checking DMARC for bank.example',
      reply: {
        code: 451,
        enhanced: '4.4.3',
        text: 'DNS failure while checking DMARC for bank.example; try again later',
      },
    };
    assert.deepEqual(
      decide({ dmarc: { result: 'temperror', policy: 'none', domain: 'bank.example' } }),
      tempfail,
    );
    assert.deepEqual(decide({ dmarc: failing('reject'), spf: 'temperror' }), tempfail);
    assert.deepEqual(
      decide({ dmarc: failing('reject'), dkim: [{ result: 'temperror', domain: 'x.example' }] }),
      tempfail,
    );
    assert.equal(
      decide({ dmarc: failing('reject'), spf: 'temperror' }, { dnsTrouble: 'accept' }).verdict,
      'accept',
    );
  });

  test('a passing ARC chain from a trusted sealer overrides a DMARC failure; untrusted or failing does not', () => {
    const arc = { result: 'pass', sealer: 'Lists.Example' };
    assert.equal(
      decide({ dmarc: failing('reject'), arc }, { trustedArcSealers: ['lists.example'] }).verdict,
      'accept',
    );
    assert.equal(decide({ dmarc: failing('reject'), arc }).verdict, 'reject');
    assert.equal(
      decide(
        { dmarc: failing('reject'), arc: { ...arc, result: 'fail' } },
        { trustedArcSealers: ['lists.example'] },
      ).verdict,
      'reject',
    );
  });

  test('no DMARC record: SPF fail follows spf_fail (accept by default, 5.7.23 when rejecting)', () => {
    const noDmarc = { dmarc: null, spf: 'fail' };
    assert.equal(decide(noDmarc).verdict, 'accept');
    assert.equal(decide(noDmarc, { spfFail: 'junk' }).verdict, 'junk');
    assert.deepEqual(decide(noDmarc, { spfFail: 'reject' }).reply, {
      code: 550,
      enhanced: '5.7.23',
      text: 'Message rejected: SPF check of the sender address failed',
    });
    assert.equal(decide({ dmarc: null, spf: 'temperror' }, { spfFail: 'reject' }).verdict, 'tempfail');
    assert.equal(decide({ dmarc: null, spf: 'temperror' }).verdict, 'accept');
  });

  test('several From fields cannot slip past DMARC; several author domains go to Junk', () => {
    assert.equal(decide({ dmarc: null, dmarcSkipped: 'multiple-from-fields' }).verdict, 'reject');
    assert.equal(decide({ dmarc: null, dmarcSkipped: 'multiple-author-domains' }).verdict, 'junk');
    assert.equal(decide({ dmarc: null, dmarcSkipped: 'no-author-domain' }).verdict, 'accept');
  });

  test('read from [auth] with the defaults', () => {
    assert.deepEqual(inboundPolicyFromConfig(configFromDefaults({}, '/srv')), defaultInboundPolicy);
  });
});
