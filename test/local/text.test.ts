// para (src/core/text.ts): a message written over several source lines prints as one paragraph.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { para } from '../../src/core/text.js';

test('para joins the lines of a template into one paragraph, keeping interpolated values as they are', () => {
  const module = 'Accounts';
  assert.equal(
    para`Zoho CRM answered page 2 of ${module}'s walk
      with records that do not come after the page before;
      aep-zoho stopped.`,
    "Zoho CRM answered page 2 of Accounts's walk with records that do not come after the page before; aep-zoho stopped.",
  );
  assert.equal(para`a ${'two\nlines'} b`, 'a two\nlines b');
  assert.equal(para`one line`, 'one line');
});
