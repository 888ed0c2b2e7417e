/**
 * Sample Lambda function: answers an API Gateway request with a greeting.
 *
 * @param {Object} event - API Gateway Lambda proxy input format
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 * The second argument, the Lambda context object, is not needed here; see
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 * @returns {Object} object - API Gateway Lambda proxy output format
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
export const lambdaHandler = async (event) => {
  console.log('event:', JSON.stringify(event));
  return {
    statusCode: 200,
    body: JSON.stringify({
      message: 'hello world',
    }),
  };
};
