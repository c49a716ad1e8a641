import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZCertificateStatus,
  ZCreateDomainRequest,
  ZDomain,
  ZIdParams,
  ZOk,
  ZPage,
  ZUpdateDomainRequest,
  ZUploadCertificateRequest,
  ZVerifyDomainRequest,
} from '@berth/contracts';
import { contextOf } from '../http/auth.hook.js';
import type { Services } from '../services.js';

export const domainRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['domains'];
  app.get(
    '/sites/:id/domains',
    { schema: { tags, summary: "List a site's domains", params: ZIdParams, response: { 200: ZPage(ZDomain) } } },
    async (request) => services.domains.listForSite(contextOf(request), request.params.id),
  );
  app.post(
    '/sites/:id/domains',
    {
      schema: {
        tags,
        summary: 'Add a domain to a site (IDN allowed; stored as punycode)',
        params: ZIdParams,
        body: ZCreateDomainRequest,
        response: { 201: ZDomain },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.domains.create(contextOf(request), request.params.id, request.body)),
  );
  app.get(
    '/domains/:id',
    { schema: { tags, summary: 'Read a domain', params: ZIdParams, response: { 200: ZDomain } } },
    async (request) => services.domains.get(contextOf(request), request.params.id),
  );
  app.patch(
    '/domains/:id',
    {
      schema: {
        tags,
        summary: "Change a domain's TLS mode or kind",
        params: ZIdParams,
        body: ZUpdateDomainRequest,
        response: { 200: ZDomain },
      },
    },
    async (request) => services.domains.update(contextOf(request), request.params.id, request.body),
  );
  app.delete(
    '/domains/:id',
    { schema: { tags, summary: 'Remove a domain', params: ZIdParams, response: { 200: ZOk } } },
    async (request) => {
      await services.domains.remove(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
  app.post(
    '/domains/:id/verify',
    {
      schema: {
        tags,
        summary:
          "Check the hostname's DNS for its verification record (BERTH_DOMAIN_VERIFICATION=dns); administrators may vouch for it with override",
        params: ZIdParams,
        body: ZVerifyDomainRequest,
        response: { 200: ZDomain },
      },
    },
    async (request) => services.domains.verify(contextOf(request), request.params.id, request.body),
  );
  app.get(
    '/domains/:id/certificate',
    {
      schema: {
        tags,
        summary: "A domain's certificate: uploaded, or as last seen at the edge (issuer, expiry, last error)",
        params: ZIdParams,
        response: { 200: ZCertificateStatus },
      },
    },
    async (request) => services.domains.certificateStatus(contextOf(request), request.params.id),
  );
  app.put(
    '/domains/:id/certificate',
    {
      schema: {
        tags,
        summary:
          'Upload a certificate (PEM chain, leaf first) and its private key; checked (key matches, covers the hostname, not expired) and switches the domain to custom TLS',
        params: ZIdParams,
        body: ZUploadCertificateRequest,
        response: { 200: ZCertificateStatus },
      },
    },
    async (request) => services.domains.uploadCertificate(contextOf(request), request.params.id, request.body),
  );
  app.delete(
    '/domains/:id/certificate',
    {
      schema: {
        tags,
        summary: 'Forget an uploaded certificate; the domain returns to its default TLS mode',
        params: ZIdParams,
        response: { 200: ZCertificateStatus },
      },
    },
    async (request) => services.domains.removeCertificate(contextOf(request), request.params.id),
  );
};
