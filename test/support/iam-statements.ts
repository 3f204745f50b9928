/** Every IAM statement of a synthesized template (policies and roles' inline policies), flattened. */
import type { Template } from 'aws-cdk-lib/assertions';

export interface FlatStatement {
  /** the logical id of the policy or role holding it */
  readonly holder: string;
  /** the role(s) it applies to (logical ids) */
  readonly roles: readonly string[];
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly unknown[];
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
}

export function iamStatements(template: Template): FlatStatement[] {
  const out: FlatStatement[] = [];
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::IAM::Policy') {
      const roles = asList(r.Properties.Roles as { Ref: string }[]).map((x) => x.Ref);
      for (const s of (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        out.push({
          holder: id,
          roles,
          effect: s.Effect,
          actions: asList(s.Action),
          resources: asList(s.Resource),
        });
    }
    if (r.Type === 'AWS::IAM::Role') {
      for (const p of asList(r.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]))
        for (const s of p.PolicyDocument.Statement)
          out.push({
            holder: id,
            roles: [id],
            effect: s.Effect,
            actions: asList(s.Action),
            resources: asList(s.Resource),
          });
    }
  }
  return out;
}

/** Actions allowed on `resource` (exact match on the CloudFormation value) for a role. */
export function actionsOf(statements: readonly FlatStatement[], roleLogicalId: string): string[] {
  return statements.filter((s) => s.roles.includes(roleLogicalId)).flatMap((s) => s.actions);
}
