// Site-only wire data: what the signed-in page embeds for its own RPCs (never logged).

export interface WizTokens {
  at: string;
  fSid: string | null;
  buildLabel: string | null;
  pathPrefix: string;
  email: string | null;
}
