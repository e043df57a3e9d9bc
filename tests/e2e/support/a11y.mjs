// The accessibility audit run on every page the suite visits: axe-core, WCAG 2 A and AA rules.
import assert from 'node:assert/strict';

import { AxeBuilder } from '@axe-core/playwright';

/** Runs axe (WCAG 2 A and AA rules) on the page as it is, and fails on any violation. */
export async function checkA11y(page) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  if (violations.length > 0) {
    assert.fail(
      `axe found ${violations.length} accessibility violation(s) on ${page.url()}:\n` +
        violations.map(formatViolation).join('\n'),
    );
  }
}

function formatViolation(violation) {
  const shown = violation.nodes.slice(0, 5).map((node) => {
    const summary = (node.failureSummary ?? '').replace(/\n/g, '\n        ');
    return `    at ${node.target.join(' ')}\n      ${node.html.slice(0, 200)}\n        ${summary}`;
  });
  const more = violation.nodes.length > 5 ? [`    … and ${violation.nodes.length - 5} more`] : [];
  return [
    `  - [${violation.impact}] ${violation.id}: ${violation.help} (${violation.helpUrl})`,
    ...shown,
    ...more,
  ].join('\n');
}
