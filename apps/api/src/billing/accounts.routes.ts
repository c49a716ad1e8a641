import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZAccount,
  ZAccountListQuery,
  ZAccountUsage,
  ZChangeAccountPasswordRequest,
  ZChangeAccountPlanRequest,
  ZCreateAccountRequest,
  ZIdParams,
  ZOk,
  ZPage,
  ZSsoLink,
  ZSsoParams,
} from '@berth/contracts';
import { AppError } from '../errors.js';
import { contextOf, setSessionCookie } from '../http/auth.hook.js';
import type { Services } from '../services.js';
import { ssoErrorPage } from './sso-page.js';

const IDEMPOTENT =
  'Send an `Idempotency-Key` header (a UUID) to make retries safe: the same key and body replay the first answer.';

/**
 * accountRoutes: `publicUrl` is the panel's public URL (BERTH_PANEL_HOST) that sign-on links point to; without
 * one, links use the address the billing system called.
 */
export const accountRoutes: FastifyPluginAsyncZod<{ services: Services; publicUrl?: string | null }> = async (
  app,
  { services, publicUrl },
) => {
  const tags = ['billing'];
  const { accounts } = services;

  app.get(
    '/accounts',
    {
      schema: {
        tags,
        summary: 'List accounts: username, email, plan, status, primary domain (admin, billing) — WHMCS ListAccounts',
        querystring: ZAccountListQuery,
        response: { 200: ZPage(ZAccount) },
      },
    },
    async (request) => accounts.list(contextOf(request), request.query),
  );

  app.post(
    '/accounts',
    {
      schema: {
        tags,
        summary:
          'Create an account: tenant, owner user, plan and optionally its first site and domain, in one transaction (admin, billing) — WHMCS CreateAccount',
        description: `Everything is created or nothing is: a username, email or domain already in use, or a runtime the plan does not allow, leaves no trace. Sites start \`pending\` and become \`live\` (webhook \`site.live\`) once provisioned. ${IDEMPOTENT}`,
        body: ZCreateAccountRequest,
        response: { 201: ZAccount },
      },
    },
    async (request, reply) => reply.status(201).send(await accounts.create(contextOf(request), request.body)),
  );

  app.get(
    '/accounts/:id',
    { schema: { tags, summary: 'Read an account (admin, billing)', params: ZIdParams, response: { 200: ZAccount } } },
    async (request) => accounts.get(contextOf(request), request.params.id),
  );

  app.post(
    '/accounts/:id/suspend',
    {
      schema: {
        tags,
        summary: 'Suspend an account: its sites answer the suspended page (admin, billing) — WHMCS SuspendAccount',
        description: IDEMPOTENT,
        params: ZIdParams,
        response: { 200: ZAccount },
      },
    },
    async (request) => accounts.setSuspended(contextOf(request), request.params.id, true),
  );

  app.post(
    '/accounts/:id/unsuspend',
    {
      schema: {
        tags,
        summary: 'Unsuspend an account (admin, billing) — WHMCS UnsuspendAccount',
        description: IDEMPOTENT,
        params: ZIdParams,
        response: { 200: ZAccount },
      },
    },
    async (request) => accounts.setSuspended(contextOf(request), request.params.id, false),
  );

  app.delete(
    '/accounts/:id',
    {
      schema: {
        tags,
        summary:
          'Terminate an account: its sites, domains, containers and files are removed (admin, billing) — WHMCS TerminateAccount',
        params: ZIdParams,
        response: { 200: ZOk },
      },
    },
    async (request) => {
      await accounts.terminate(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );

  app.put(
    '/accounts/:id/plan',
    {
      schema: {
        tags,
        summary:
          "Change an account's plan; running containers get the new limits (admin, billing) — WHMCS ChangePackage",
        params: ZIdParams,
        body: ZChangeAccountPlanRequest,
        response: { 200: ZAccount },
      },
    },
    async (request) => accounts.changePlan(contextOf(request), request.params.id, request.body.planId),
  );

  app.put(
    '/accounts/:id/password',
    {
      schema: {
        tags,
        summary:
          "Set the account owner's console password; the owner's sessions end (admin, billing) — WHMCS ChangePassword",
        params: ZIdParams,
        body: ZChangeAccountPasswordRequest,
        response: { 200: ZOk },
      },
    },
    async (request) => {
      await accounts.changePassword(contextOf(request), request.params.id, request.body.password);
      return { ok: true as const };
    },
  );

  app.get(
    '/accounts/:id/usage',
    {
      schema: {
        tags,
        summary: "Disk and this month's bandwidth against the plan's limits (admin, billing) — WHMCS UsageUpdate",
        params: ZIdParams,
        response: { 200: ZAccountUsage },
      },
    },
    async (request) => accounts.usage(contextOf(request), request.params.id),
  );

  app.post(
    '/accounts/:id/sso',
    {
      schema: {
        tags,
        summary:
          'A one-time link that signs the account owner into the console, valid for 5 minutes (admin, billing) — WHMCS ServiceSingleSignOn',
        description:
          'Send the browser to `url`: it gets a console session and lands on `/`. A used or expired link answers 410 (SSO_LINK_INVALID) and signs nobody in.',
        params: ZIdParams,
        response: { 200: ZSsoLink },
      },
    },
    async (request) =>
      accounts.ssoLink(contextOf(request), request.params.id, publicUrl ?? `${request.protocol}://${request.host}`),
  );

  // The browser end of a sign-on link: public (the link is the credential), not part of the documented API.
  app.get(
    '/sso/:token',
    { config: { public: true }, schema: { hide: true, params: ZSsoParams } },
    async (request, reply) => {
      try {
        const { cookie } = await services.sso.redeem(request.params.token, request.ip ?? null);
        setSessionCookie(request, reply, cookie);
        return reply.header('cache-control', 'no-store').redirect('/', 303);
      } catch (error) {
        if (
          !(error instanceof AppError) ||
          error.code !== 'SSO_LINK_INVALID' ||
          !request.headers.accept?.includes('text/html')
        )
          throw error;
        return reply
          .status(error.status)
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(ssoErrorPage(error.message));
      }
    },
  );
};
