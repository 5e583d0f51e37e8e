export { oauthRoutes } from './routes.js';
export type { OAuthRoutesOptions } from './routes.js';
