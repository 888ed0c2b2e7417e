/** EventInvokeConfig, DeadLetterQueue and DeadLetterConfig read from template.yaml as Lambda applies them. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplate } from '../../electron/engine/projects/template';

function project(resources: string, globals = ''): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-async-config-'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src/app.mjs'), 'export const handler = async () => null;\n');
  fs.writeFileSync(
    path.join(dir, 'template.yaml'),
    `Transform: AWS::Serverless-2016-10-31\n${globals}Resources:\n${resources}`,
  );
  return dir;
}

const fn = (name: string, props = '', type = 'AWS::Serverless::Function') => `  ${name}:
    Type: ${type}
    Properties:
      Runtime: nodejs22.x
      Handler: app.handler
      ${type === 'AWS::Lambda::Function' ? 'Code' : 'CodeUri'}: src/
${props}`;

describe('asynchronous invocation settings', () => {
  it('defaults to Lambda’s: two retries, six hours, no destinations', async () => {
    const t = await loadTemplate(project(fn('Plain')));
    expect(t.functions[0].asyncConfig).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 });
  });

  it('reads EventInvokeConfig with its destinations, and the dead-letter queue', async () => {
    const t = await loadTemplate(
      project(
        fn(
          'Configured',
          `      EventInvokeConfig:
        MaximumRetryAttempts: 0
        MaximumEventAgeInSeconds: 120
        DestinationConfig:
          OnSuccess:
            Type: SQS
            Destination: arn:aws:sqs:us-east-1:123456789012:ok
          OnFailure:
            Type: EventBridge
            Destination: !Sub arn:aws:events:us-east-1:123456789012:event-bus/\${AWS::StackName}
      DeadLetterQueue:
        Type: SNS
        TargetArn: arn:aws:sns:us-east-1:123456789012:dlq
`,
        ) +
          fn(
            'Cfn',
            `      DeadLetterConfig:
        TargetArn: arn:aws:sqs:us-east-1:123456789012:cfn-dlq
`,
            'AWS::Lambda::Function',
          ),
      ),
    );
    const [configured, cfn] = t.functions;
    expect(configured.asyncConfig).toEqual({
      maximumRetryAttempts: 0,
      maximumEventAgeSeconds: 120,
      onSuccess: { type: 'SQS', target: 'arn:aws:sqs:us-east-1:123456789012:ok' },
      onFailure: {
        type: 'EventBridge',
        target: `arn:aws:events:us-east-1:123456789012:event-bus/${path.basename(t.dir)}`,
      },
      deadLetter: { type: 'SNS', target: 'arn:aws:sns:us-east-1:123456789012:dlq' },
    });
    expect(cfn.asyncConfig.deadLetter).toEqual({
      type: 'SQS',
      target: 'arn:aws:sqs:us-east-1:123456789012:cfn-dlq',
    });
  });

  it('takes Globals and clamps values outside Lambda’s ranges, saying so', async () => {
    const t = await loadTemplate(
      project(
        fn('FromGlobals'),
        `Globals:
  Function:
    EventInvokeConfig:
      MaximumRetryAttempts: 5
      MaximumEventAgeInSeconds: 10
`,
      ),
    );
    const f = t.functions[0];
    expect(f.asyncConfig).toMatchObject({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 60 });
    expect(f.unresolved).toEqual(
      expect.arrayContaining([
        'EventInvokeConfig.MaximumRetryAttempts: 5 is outside 0–2 (using the nearest)',
        'EventInvokeConfig.MaximumEventAgeInSeconds: 10 is outside 60–21600 (using the nearest)',
      ]),
    );
  });
});
