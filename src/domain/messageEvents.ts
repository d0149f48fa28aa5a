import { z } from "zod";

// Text messages and their delivery reports as the webhook routes store them and InboundProcessor
// reads them back: Bandwidth's own callbacks, so that the stored row is what the provider sent.
// The shapes of Bandwidth's published spec (bandwidth.yml: inboundCallback, statusCallback), with
// only the fields the app relies on made strict; unknown fields pass through untouched.

const callbackMessage = z.object({
  id: z.string().min(1).max(256),
  owner: z.string().min(1).max(64),
  applicationId: z.string().max(256),
  time: z.string().max(64),
  segmentCount: z.number().int().min(0),
  direction: z.enum(["in", "out"]),
  to: z.array(z.string().min(1).max(64)).max(50),
  from: z.string().min(1).max(64),
  text: z.string().max(10_000).optional(),
  media: z.array(z.string().max(4096)).max(20).optional(),
  tag: z.string().max(1024).optional(),
});

export const inboundCallbackSchema = z.object({
  time: z.string().max(64),
  type: z.enum(["message-received", "requested-location-response", "suggestion-response"]),
  to: z.string().min(1).max(64),
  description: z.string().max(2048),
  message: callbackMessage,
  carrierName: z.string().max(256).optional(),
});

export const statusCallbackSchema = z.object({
  time: z.string().max(64),
  eventTime: z.string().max(64).optional(),
  type: z.enum(["message-sending", "message-sent", "message-delivered", "message-failed", "message-read"]),
  to: z.string().min(1).max(64),
  description: z.string().max(2048),
  message: callbackMessage,
  errorCode: z.number().int().optional(),
  carrierName: z.string().max(256).optional(),
});

export type InboundCallback = z.infer<typeof inboundCallbackSchema>;
export type StatusCallback = z.infer<typeof statusCallbackSchema>;
