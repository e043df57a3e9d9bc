// The one place the test files import their helpers from: everything the support/ modules
// export. services.mjs starts and stops the SMTP sink and usher, mail.mjs reads the mail they
// exchange, a11y.mjs holds the axe audit, page.mjs the browser, the harness and page helpers.
export * from './services.mjs';
export * from './mail.mjs';
export * from './a11y.mjs';
export * from './page.mjs';
export * from './orgs.mjs';
