import { DATABASE_NAME_SUFFIX_MAX, databaseFullName } from '@berth/contracts';

/**
 * NamePreview is the description of a database or user name field: the rule, then the full name on the server
 * (`<tenant prefix>_<name>`) as it is typed, so nobody is surprised by the prefix in their app's config.
 */
export function NamePreview({ slug, name, chooseTenant }: { slug?: string; name: string; chooseTenant: boolean }) {
  const rule = `Lowercase letters and digits, at most ${DATABASE_NAME_SUFFIX_MAX}.`;
  if (!slug) return <>{chooseTenant ? `${rule} Pick the tenant to see the full name.` : rule}</>;
  return (
    <>
      {rule} Full name: <span className="mono">{databaseFullName(slug, name.trim() || '…')}</span>
    </>
  );
}
