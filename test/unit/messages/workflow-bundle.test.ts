import { bundleWorkflowCode } from '@temporalio/worker';

describe('messages inside Temporal workflows', () => {
  test('a workflow importing messages/ bundles without Node builtins', async () => {
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./workflow-import.workflow'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    expect(bundle.code).toContain('validateMessage');
    expect(bundle.code).toContain('MessageValidationError');
  });
});
