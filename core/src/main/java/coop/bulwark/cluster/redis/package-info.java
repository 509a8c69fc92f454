/**
 * The Redis backend of {@link coop.bulwark.cluster.SharedState} ({@link coop.bulwark.cluster.redis.RedisSharedState}):
 * the only package that imports Lettuce. Keys and channel layout are described in docs/cluster.md.
 */
package coop.bulwark.cluster.redis;
