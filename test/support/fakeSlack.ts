// The Slack Web API stand-in lives in the product, where the sandbox runs it (src/sandbox); tests
// drive the same one.
export * from "../../src/sandbox/slackApi";
