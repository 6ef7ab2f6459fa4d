// Typings for the one file of @adobe/aio-lib-ims that aep-zoho loads (the Ims class alone).
declare module '@adobe/aio-lib-ims/src/ims.js' {
  export class Ims {
    constructor(env?: string);
    endpoint: string;
    getAccessTokenByClientCredentials(
      clientId: string,
      clientSecret: string,
      orgId: string,
      scopes?: string[],
    ): Promise<{ access_token: { token: string; expiry: number }; payload: Record<string, unknown> }>;
  }
  const module: { Ims: typeof Ims };
  export default module;
}
