import json


def lambda_handler(event, context):
    """Sample Lambda function: answers an API Gateway request with a greeting.

    Parameters
    ----------
    event: dict, required
        API Gateway Lambda Proxy Input Format
        https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format

    context: object, required
        Lambda Context runtime methods and attributes
        https://docs.aws.amazon.com/lambda/latest/dg/python-context-object.html

    Returns
    ------
    API Gateway Lambda Proxy Output Format: dict
        https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    """
    print("event:", json.dumps(event))

    return {
        "statusCode": 200,
        "body": json.dumps({"message": "hello world"}),
    }
