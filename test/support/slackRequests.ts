// Signed Slack requests are built in the product, where the sandbox sends them (src/sandbox); tests
// send the same ones.
export * from "../../src/sandbox/slackRequests";
