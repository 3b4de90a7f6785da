/** Assertions the wire-format codecs' tests share: a 400 naming the field, for a bad body or a target that cannot carry it. */
import assert from 'node:assert/strict';
import { RequestFormatError } from '../../../daemon/formats/common';
import { UnsupportedFieldError } from '../../../daemon/formats/types';

/** `fn` refuses the caller's body with a 400 naming `param` (and, when given, a message matching `message`). */
export function expectFormatError(fn: () => unknown, param: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof RequestFormatError, `expected RequestFormatError, got ${String(err)}`);
    assert.equal(err.param, param);
    assert.equal(err.status, 400);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** `fn` refuses to build for a target: a 400 naming `field` (exactly, or matching), with a message matching `message`. */
export function expectRefusal(fn: () => unknown, field: string | RegExp, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UnsupportedFieldError, `expected UnsupportedFieldError, got ${String(err)}`);
    if (typeof field === 'string') assert.equal(err.field, field);
    else assert.match(err.field, field);
    assert.equal(err.status, 400);
    if (message) assert.match(err.message, message);
    return true;
  });
}
