export { registerOAuthRoutes } from './routes.js';
export type { OAuthRoutesOptions } from './routes.js';
