/** What the template says about versions: AutoPublishAlias (also from Globals) and DeploymentPreference steps. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTemplate } from '../../electron/engine/projects/template';
import { deploymentEnd, deploymentWeight } from '../../electron/engine/versions/deployment';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('AutoPublishAlias in the template', () => {
  it('comes from Globals unless the function sets its own, with DeploymentPreference unless disabled', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-apa-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src/app.mjs'), 'export const handler = async () => 1;\n');
    fs.writeFileSync(
      path.join(dir, 'template.yaml'),
      `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    CodeUri: src/
    Handler: app.handler
    AutoPublishAlias: live
    DeploymentPreference:
      Type: Linear10PercentEvery1Minute
Resources:
  FromGlobals:
    Type: AWS::Serverless::Function
  Own:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: prod
      VersionDescription: release
      DeploymentPreference:
        Enabled: false
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Code: src/
      Handler: app.handler
`,
    );
    const { functions } = await loadTemplate(dir);
    const byId = Object.fromEntries(functions.map((f) => [f.id, f]));
    expect(byId.FromGlobals).toMatchObject({
      autoPublishAlias: 'live',
      deploymentPreference: 'Linear10PercentEvery1Minute',
    });
    expect(byId.Own).toMatchObject({ autoPublishAlias: 'prod', versionDescription: 'release' });
    expect(byId.Own.deploymentPreference).toBeUndefined();
    // AutoPublishAlias is a SAM property: a plain Lambda function has none, and Globals do not apply to it.
    expect(byId.Plain.autoPublishAlias).toBeUndefined();
  });
});

describe('DeploymentPreference steps', () => {
  const start = 1_000_000;
  it('a canary gives the new version its share until the interval ends, then everything', () => {
    const d = { type: 'Canary10Percent30Minutes', toVersion: '2', startedAt: start };
    expect(deploymentWeight(d, start)).toBe(0.1);
    expect(deploymentWeight(d, start + 30 * 60_000 - 1)).toBe(0.1);
    expect(deploymentWeight(d, start + 30 * 60_000)).toBeUndefined();
    expect(deploymentEnd(d)).toBe(start + 30 * 60_000);
  });

  it('a linear one adds its step every interval; AllAtOnce has no steps', () => {
    const d = { type: 'Linear10PercentEvery3Minutes', toVersion: '2', startedAt: start };
    expect(deploymentWeight(d, start + 3 * 60_000 * 4)).toBe(0.5);
    expect(deploymentWeight(d, start + 3 * 60_000 * 9)).toBeUndefined();
    expect(deploymentEnd(d)).toBe(start + 27 * 60_000);
    expect(deploymentWeight({ ...d, type: 'AllAtOnce' }, start)).toBeUndefined();
  });
});
