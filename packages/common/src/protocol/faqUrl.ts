/**
 * Java 5.x's FAQUrl: every FAQ url is one page. `suggestTodo` is the tip the broker's remarks end
 * with; `attachDefaultURL` is what the client exceptions (MQClientException, MQBrokerException) add
 * to their message when it has no tip yet. (4.9.8's tip, with its older url, is
 * MixAll.FAQ_URL_SUFFIX.)
 */
export const FAQ_URL_V5 = "https://rocketmq.apache.org/docs/bestPractice/06FAQ";

export function suggestTodoV5(url: string = FAQ_URL_V5): string {
  return `\nSee ${url} for further details.`;
}

export function attachDefaultURLV5(message: string): string {
  return message.includes("\nSee ") ? message : `${message}\nFor more information, please visit the url, ${FAQ_URL_V5}`;
}
