import { graphql } from '../../gql';

export const ProductFields = graphql(`
  fragment ProductFields on Product {
    id
    version
    sku
    name
    category
    active
    unitCost {
      amount
      currency
    }
    prices {
      priceListId
      unitPrice {
        amount
        currency
      }
    }
  }
`);

export const ProductsDocument = graphql(`
  query Products($first: Int, $after: String, $filter: ProductFilter) {
    products(first: $first, after: $after, filter: $filter, orderBy: [{ field: NAME, direction: ASC }]) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...ProductFields
        }
      }
    }
    priceLists(first: 50) {
      edges {
        node {
          id
          version
          name
          currency
        }
      }
    }
  }
`);

export const CreateProductDocument = graphql(`
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      product {
        ...ProductFields
      }
    }
  }
`);

export const UpdateProductDocument = graphql(`
  mutation UpdateProduct($input: UpdateProductInput!) {
    updateProduct(input: $input) {
      product {
        ...ProductFields
      }
    }
  }
`);

export const CreatePriceListDocument = graphql(`
  mutation CreatePriceList($input: CreatePriceListInput!) {
    createPriceList(input: $input) {
      priceList {
        id
        version
        name
        currency
      }
    }
  }
`);

export const SetPricesDocument = graphql(`
  mutation SetPrices($input: SetPricesInput!) {
    setPrices(input: $input) {
      priceList {
        id
        version
      }
    }
  }
`);

export const ExchangeRatesDocument = graphql(`
  query ExchangeRates($first: Int, $after: String, $filter: ExchangeRateFilter) {
    exchangeRates(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          currency
          rate
          validFrom
          updatedAt
        }
      }
    }
  }
`);

export const SetExchangeRateDocument = graphql(`
  mutation SetExchangeRate($input: SetExchangeRateInput!) {
    setExchangeRate(input: $input) {
      exchangeRate {
        currency
        rate
        validFrom
        updatedAt
      }
    }
  }
`);

export const OrderRowFields = graphql(`
  fragment OrderRowFields on Order {
    id
    version
    externalId
    orderedAt
    currency
    channel
    status
    total {
      amount
      currency
    }
    customer {
      id
      name
    }
  }
`);

export const OrdersDocument = graphql(`
  query Orders($first: Int, $after: String, $filter: OrderFilter, $orderBy: OrderOrderBy) {
    orders(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...OrderRowFields
        }
      }
    }
  }
`);

export const OrderDocument = graphql(`
  query Order($id: ID!) {
    order(id: $id) {
      ...OrderRowFields
      campaign
      createdAt
      updatedAt
      deal {
        id
        name
      }
      lines {
        lineNo
        productId
        product {
          id
          sku
          name
        }
        quantity
        unitPrice {
          amount
          currency
        }
        discountPercent
        total {
          amount
          currency
        }
      }
    }
  }
`);

export const OrderBaseTotalDocument = graphql(`
  query OrderBaseTotal($id: ID!) {
    order(id: $id) {
      id
      totalInBaseCurrency {
        amount
        currency
      }
    }
  }
`);

export const ChangeOrderStatusDocument = graphql(`
  mutation ChangeOrderStatus($input: ChangeOrderStatusInput!) {
    changeOrderStatus(input: $input) {
      order {
        ...OrderRowFields
        updatedAt
      }
    }
  }
`);
