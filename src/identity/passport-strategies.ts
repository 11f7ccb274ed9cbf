/**
 * The two sign-in steps as passport strategies (passport-custom), without
 * passport sessions: "password" yields a challenge, "totp" yields an access
 * token. Each strategy validates its body and hands over to one service call.
 */
import type { Request, RequestHandler } from 'express';
import { Authenticator } from 'passport';
import { Strategy as CustomStrategy } from 'passport-custom';
import { validateInput } from './validate-input';
import { loginBody, mfaBody } from './auth-inputs';
import type { ClientInfo, IdentityContext } from './identity-context';
import { checkPassword, completeSignIn } from './sign-in';

/** Where the request comes from, for sessions and audit events. */
export function clientOf(req: Request): ClientInfo {
  return { ip: req.ip, userAgent: req.get('user-agent') };
}

/** A passport instance with the two sign-in strategies. */
export type SignInPassport = InstanceType<typeof Authenticator>;

/** A passport instance of its own per app, so that apps never share strategies. */
export function signInPassport(ctx: IdentityContext): SignInPassport {
  const passport = new Authenticator();
  passport.use(
    'password',
    new CustomStrategy((req, done) => {
      const input = validateInput(loginBody, req.body, 'auth.invalid_input');
      checkPassword(ctx, input.email, input.password, clientOf(req)).then(
        (challenge) => done(null, challenge),
        done,
      );
    }),
  );
  passport.use(
    'totp',
    new CustomStrategy((req, done) => {
      const input = validateInput(mfaBody, req.body, 'auth.invalid_input');
      completeSignIn(ctx, input.challenge, input.code, clientOf(req)).then(
        (token) => done(null, token),
        done,
      );
    }),
  );
  return passport;
}

/**
 * Middleware running a strategy and answering with what it yields. Errors
 * (AppErrors included) go to the app's error handler, so refusals have the
 * usual JSON body instead of passport's plain 401.
 */
export function respondWith(passport: SignInPassport, strategy: string): RequestHandler {
  return (req, res, next) => {
    passport.authenticate(strategy, { session: false }, (error: unknown, result: unknown) => {
      if (error) return next(error);
      res.json(result);
    })(req, res, next);
  };
}
